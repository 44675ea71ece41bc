variable "prefix" {
  type = string
}

variable "size" {
  type    = number
  default = 1
}

resource "terraform_data" "item" {
  count = var.size
  input = "${var.prefix}-${count.index}"
}

output "names" {
  value = terraform_data.item[*].output
}

output "prefix" {
  value = var.prefix
}
