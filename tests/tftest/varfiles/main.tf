# Variable values from files, by Terraform's precedence in `terraform test`:
# the module's terraform.tfvars < its *.auto.tfvars < -var/-var-file < the
# test directory's variable files < a test file's variables < a run's.
variable "a" {
  type    = string
  default = "default"
}

variable "b" {
  type    = string
  default = "default"
}

variable "c" {
  type    = string
  default = "default"
}

variable "d" {
  type    = string
  default = "default"
}

variable "n" {
  type    = number
  default = 0
}

output "all" {
  value = "${var.a} ${var.b} ${var.c} ${var.d} ${var.n}"
}
