# Applied against moto (the aws provider reads AWS_ENDPOINT_URL and the
# region from the environment): tests/it/tftest.rs runs these with
# `plinth test -test-directory=tests-moto` when the suite has started moto.

variables {
  cluster_name       = "tftest.example.com"
  zone_count         = 2
  single_nat_gateway = true
}

run "apply" {
  assert {
    condition     = startswith(output.vpc_id, "vpc-")
    error_message = "a VPC was created"
  }

  assert {
    condition     = length(output.private_subnet_ids) == 2 && alltrue([for id in output.private_subnet_ids : startswith(id, "subnet-")])
    error_message = "two private subnets"
  }

  assert {
    condition     = output.vpc_cidr_block == "10.0.0.0/16"
    error_message = "the default range"
  }

  assert {
    condition     = length(output.nat_gateway_ids) == 1
    error_message = "one NAT gateway"
  }
}

run "plan_is_clean" {
  command = plan

  assert {
    condition     = output.vpc_id == run.apply.vpc_id
    error_message = "the second plan keeps the VPC"
  }
}
