# Unit tests of the network module with a mocked aws provider: no AWS
# account, no emulator; plans and applies in milliseconds.

mock_provider "aws" {
  mock_data "aws_availability_zones" {
    defaults = {
      names = ["eu-west-1a", "eu-west-1b", "eu-west-1c", "eu-west-1d"]
    }
  }
}

variables {
  cluster_name = "demo.example.com"
}

run "three_zones_by_default" {
  command = plan

  assert {
    # A list output never equals a tuple literal (`==` compares types too,
    # in Terraform as here): compare with a list.
    condition     = output.availability_zones == tolist(["eu-west-1a", "eu-west-1b", "eu-west-1c"])
    error_message = "the first zone_count zones of the region are used"
  }

  assert {
    condition     = length(aws_subnet.private) == 3 && length(aws_subnet.utility) == 3
    error_message = "a private and a utility subnet per zone"
  }

  assert {
    condition     = aws_subnet.private[*].cidr_block == ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"]
    error_message = "private subnets take the first /19 blocks"
  }

  assert {
    condition     = aws_subnet.utility[*].cidr_block == ["10.0.192.0/22", "10.0.196.0/22", "10.0.200.0/22"]
    error_message = "utility subnets start after the sixth private block"
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 3
    error_message = "one NAT gateway per zone by default"
  }

  assert {
    condition     = aws_vpc.this.tags["kubernetes.io/cluster/demo.example.com"] == "owned"
    error_message = "the VPC carries the cluster ownership tag"
  }

  assert {
    condition     = aws_subnet.utility[0].tags["kubernetes.io/role/elb"] == "1"
    error_message = "utility subnets are tagged for public load balancers"
  }

  assert {
    condition     = aws_subnet.private[0].tags["kubernetes.io/role/internal-elb"] == "1"
    error_message = "private subnets are tagged for internal load balancers"
  }
}

run "single_nat_gateway" {
  command = plan

  variables {
    single_nat_gateway = true
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 1
    error_message = "one NAT gateway for all zones"
  }

  assert {
    condition     = length(aws_route.private_nat) == 3
    error_message = "every private route table still routes through NAT"
  }
}

run "explicit_zones_skip_the_lookup" {
  command = plan

  variables {
    availability_zones = ["x-1a", "x-1b"]
  }

  assert {
    condition     = length(data.aws_availability_zones.available) == 0
    error_message = "no zone lookup when zones are given"
  }

  assert {
    condition     = output.availability_zones == tolist(["x-1a", "x-1b"])
    error_message = "the given zones, in order"
  }
}

run "invalid_cluster_name" {
  command = plan

  variables {
    cluster_name = "Not_A_DNS_Name"
  }

  expect_failures = [var.cluster_name]
}

run "invalid_cidr" {
  command = plan

  variables {
    cidr_block = "10.0.0.0/8"
  }

  expect_failures = [var.cidr_block]
}

run "duplicate_zones" {
  command = plan

  variables {
    availability_zones = ["x-1a", "x-1a"]
  }

  expect_failures = [var.availability_zones]
}

run "apply_mocked" {
  assert {
    condition     = length(output.private_subnet_ids) == 3 && alltrue([for id in output.private_subnet_ids : length(id) == 8])
    error_message = "mocked subnet IDs are generated strings"
  }

  assert {
    condition     = keys(output.private_subnets_by_zone) == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    error_message = "subnets by zone"
  }

  assert {
    condition     = aws_subnet.private[0].vpc_id == output.vpc_id
    error_message = "subnets are in the VPC"
  }
}
