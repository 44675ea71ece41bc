# Applied against moto; see modules/network/tests-moto. A setup run makes the
# network the cluster goes into.

variables {
  cluster_name = "tftest"
  # An image moto serves (Canonical's 16.04): the module looks ami_id up
  # for its root device name, and an AMI that does not exist is an error.
  ami_id = "ami-785db401"
  worker_groups = {
    nodes = { instance_type = "t3.medium", min_size = 1, max_size = 2, desired_capacity = 1 }
  }
  force_destroy_state_bucket = true
}

run "network" {
  module {
    source = "../network"
  }

  variables {
    cluster_name       = "tftest"
    single_nat_gateway = true
  }
}

run "cluster" {
  variables {
    vpc_id          = run.network.vpc_id
    vpc_cidr_block  = run.network.vpc_cidr_block
    private_subnets = run.network.private_subnets_by_zone
    api_subnet_ids  = run.network.utility_subnet_ids
  }

  assert {
    condition     = length(output.control_plane_autoscaling_group_names) == 3
    error_message = "three control-plane groups"
  }

  assert {
    condition     = startswith(output.api_endpoint, "https://")
    error_message = "an API endpoint"
  }

  assert {
    condition     = startswith(output.node_security_group_id, "sg-")
    error_message = "security groups exist"
  }
}
