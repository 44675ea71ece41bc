# The smallest useful configuration: two resources that depend on each other,
# a variable, a local and outputs. Runs with no cloud at all.

terraform {
  backend "local" {
    path = "../../state/hello.tfstate"
  }
}

variable "greeting" {
  type    = string
  default = "hello"
}

locals {
  names = toset(["alpha", "beta", "gamma"])
}

resource "terraform_data" "seed" {
  input = upper(var.greeting)
}

resource "terraform_data" "member" {
  for_each = local.names
  input    = "${terraform_data.seed.output}, ${each.key}"
}

output "messages" {
  value = [for k in sort(keys(terraform_data.member)) : terraform_data.member[k].output]
}
