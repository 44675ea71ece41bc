variable "repository_names" {
  description = "Repositories to create with the module-wide settings."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for n in var.repository_names : can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", n)) && length(n) >= 2 && length(n) <= 256])
    error_message = "Repository names are 2 to 256 lowercase letters, digits and . _ - separators, optionally in /-separated namespaces."
  }
}

variable "repositories" {
  description = "Repositories by name, each overriding any of the module-wide settings."
  type = map(object({
    image_tag_mutability = optional(string)
    scan_on_push         = optional(bool)
    keep_tagged_images   = optional(number)
    untagged_expiry_days = optional(number)
    pull_role_arns       = optional(list(string))
  }))
  default = {}

  validation {
    condition     = alltrue([for n, r in var.repositories : can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", n)) && length(n) >= 2 && length(n) <= 256])
    error_message = "Repository names are 2 to 256 lowercase letters, digits and . _ - separators, optionally in /-separated namespaces."
  }

  validation {
    condition     = alltrue([for r in values(var.repositories) : r.image_tag_mutability == null || contains(["MUTABLE", "IMMUTABLE"], coalesce(r.image_tag_mutability, "MUTABLE"))])
    error_message = "image_tag_mutability is MUTABLE or IMMUTABLE."
  }
}

variable "name_prefix" {
  description = "Prefix added to every repository name, e.g. \"platform/\"."
  type        = string
  default     = ""

  validation {
    condition     = var.name_prefix == "" || can(regex("^[a-z0-9][a-z0-9._/-]*$", var.name_prefix))
    error_message = "name_prefix is lowercase letters, digits and . _ - /."
  }
}

variable "image_tag_mutability" {
  description = "MUTABLE or IMMUTABLE (tags cannot be overwritten)."
  type        = string
  default     = "IMMUTABLE"

  validation {
    condition     = contains(["MUTABLE", "IMMUTABLE"], var.image_tag_mutability)
    error_message = "image_tag_mutability is MUTABLE or IMMUTABLE."
  }
}

variable "scan_on_push" {
  description = "Scan every image for vulnerabilities when it is pushed."
  type        = bool
  default     = true
}

variable "keep_tagged_images" {
  description = "How many tagged images each repository keeps; older ones expire."
  type        = number
  default     = 30

  validation {
    condition     = var.keep_tagged_images >= 1 && floor(var.keep_tagged_images) == var.keep_tagged_images
    error_message = "keep_tagged_images is a whole number of at least 1."
  }
}

variable "untagged_expiry_days" {
  description = "Untagged images expire this many days after they were pushed."
  type        = number
  default     = 7

  validation {
    condition     = var.untagged_expiry_days >= 1 && floor(var.untagged_expiry_days) == var.untagged_expiry_days
    error_message = "untagged_expiry_days is a whole number of at least 1."
  }
}

variable "pull_role_arns" {
  description = "IAM role ARNs allowed to pull from every repository (e.g. the cluster's node roles). Empty: no repository policy."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.pull_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", a))])
    error_message = "pull_role_arns are IAM role ARNs (arn:aws:iam::123456789012:role/NAME)."
  }
}

variable "encryption_type" {
  description = "AES256 or KMS."
  type        = string
  default     = "AES256"

  validation {
    condition     = contains(["AES256", "KMS"], var.encryption_type)
    error_message = "encryption_type is AES256 or KMS."
  }
}

variable "kms_key" {
  description = "KMS key ARN when encryption_type is KMS (null: the AWS managed key)."
  type        = string
  default     = null
}

variable "force_delete" {
  description = "Delete repositories even when they still hold images."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every repository."
  type        = map(string)
  default     = {}
}
