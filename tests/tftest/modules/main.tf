variable "prefix" {
  type    = string
  default = "app"
}

variable "size" {
  type    = number
  default = 2
}

module "child" {
  source = "./child"
  prefix = var.prefix
  size   = var.size
}

module "other" {
  source = "./child"
  prefix = "${var.prefix}-other"
}

resource "terraform_data" "joined" {
  input = join(",", module.child.names)
}

output "names" {
  value = module.child.names
}

output "joined" {
  value = terraform_data.joined.output
}

output "other_prefix" {
  value = module.other.prefix
}
