variable "seed" {
  type    = string
  default = "setup"
}

resource "terraform_data" "seed" {
  input = var.seed
}

output "seed" {
  value = terraform_data.seed.output
}

output "upper" {
  value = upper(var.seed)
}
