variable "name" {
  type    = string
  default = "web"
  validation {
    condition     = length(var.name) <= 8
    error_message = "The name must be at most 8 characters."
  }
}

variable "replicas" {
  type    = number
  default = 2
}

variable "tags" {
  type    = map(string)
  default = {}
}

locals {
  full = "${var.name}-${var.replicas}"
}

resource "terraform_data" "one" {
  input = local.full
}

resource "terraform_data" "many" {
  count = var.replicas
  input = "${var.name}-${count.index}"
}

resource "terraform_data" "tagged" {
  for_each = var.tags
  input    = "${each.key}=${each.value}"
}

output "full" {
  value = local.full
}

output "one_id" {
  value = terraform_data.one.id
}

output "one_output" {
  value = terraform_data.one.output
}

output "many_inputs" {
  value = terraform_data.many[*].input
}

output "tag_count" {
  value = length(terraform_data.tagged)
}
