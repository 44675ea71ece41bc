variable "env" {
  type    = string
  default = "dev"
  validation {
    condition     = contains(["dev", "prod"], var.env)
    error_message = "env must be dev or prod."
  }
}

variable "size" {
  type    = number
  default = 1
}

resource "terraform_data" "sized" {
  input = var.size
  lifecycle {
    precondition {
      condition     = var.size < 10
      error_message = "size must be below 10."
    }
    postcondition {
      condition     = self.output != 5
      error_message = "size 5 is cursed."
    }
  }
}

output "env" {
  value = var.env
  precondition {
    condition     = var.env != "prod" || var.size > 1
    error_message = "prod needs size > 1."
  }
}

check "lucky" {
  assert {
    condition     = var.size != 4
    error_message = "size 4 is unlucky."
  }
}
