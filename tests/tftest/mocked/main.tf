variable "input" {
  type    = string
  default = "hello"
}

resource "terraform_data" "a" {
  input = var.input
}

resource "terraform_data" "b" {
  input = terraform_data.a.id
}

module "child" {
  source = "../modules/child"
  prefix = var.input
  size   = 2
}

output "a_id" {
  value = terraform_data.a.id
}

output "b_input" {
  value = terraform_data.b.input
}

output "a_output" {
  value = terraform_data.a.output
}

output "child_names" {
  value = module.child.names
}
