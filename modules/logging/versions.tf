terraform {
  required_version = ">= 1.8"

  required_providers {
    kubernetes = {
      source = "hashicorp/kubernetes"
    }
  }
}
