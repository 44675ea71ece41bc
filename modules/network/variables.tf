variable "cluster_name" {
  description = "The Kubernetes cluster the network is for: names and the kubernetes.io/cluster/<name> = owned tags."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$", var.cluster_name))
    error_message = "cluster_name is 1 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit."
  }
}

variable "cidr_block" {
  description = "The VPC's IPv4 range."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && tonumber(split("/", var.cidr_block)[1]) <= 24 && tonumber(split("/", var.cidr_block)[1]) >= 16
    error_message = "cidr_block is an IPv4 CIDR block from /16 to /24."
  }
}

variable "availability_zones" {
  description = "Zones to use, in order. Empty: the first zone_count zones of the region."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.availability_zones) == 0 || (length(var.availability_zones) <= 6 && length(distinct(var.availability_zones)) == length(var.availability_zones))
    error_message = "availability_zones lists at most 6 distinct zones."
  }
}

variable "zone_count" {
  description = "How many zones to use when availability_zones is empty."
  type        = number
  default     = 3

  validation {
    condition     = var.zone_count >= 1 && var.zone_count <= 6 && floor(var.zone_count) == var.zone_count
    error_message = "zone_count is a whole number from 1 to 6."
  }
}

variable "private_subnet_newbits" {
  description = "Bits added to the VPC prefix for each private subnet (3: a /19 per zone in a /16)."
  type        = number
  default     = 3

  validation {
    condition     = var.private_subnet_newbits >= 3 && var.private_subnet_newbits <= 8
    error_message = "private_subnet_newbits is from 3 to 8 (room for 6 zones)."
  }
}

variable "utility_subnet_newbits" {
  description = "Bits added to the VPC prefix for each public (utility) subnet (6: a /22 per zone in a /16). Utility subnets sit after the private ones."
  type        = number
  default     = 6

  validation {
    condition     = var.utility_subnet_newbits >= 4 && var.utility_subnet_newbits <= 12
    error_message = "utility_subnet_newbits is from 4 to 12."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper, not zone-redundant) instead of one per zone."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
