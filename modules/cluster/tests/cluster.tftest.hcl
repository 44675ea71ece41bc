# Unit tests of the cluster module: aws mocked, the PKI (tls, random) real.

mock_provider "aws" {
  mock_resource "aws_lb" {
    defaults = {
      dns_name = "api-demo.elb.eu-west-1.amazonaws.com"
    }
  }

  mock_data "aws_region" {
    defaults = {
      name = "eu-west-1"
    }
  }
}

variables {
  cluster_name   = "demo"
  vpc_id         = "vpc-0123456789abcdef0"
  vpc_cidr_block = "10.0.0.0/16"
  private_subnets = {
    "eu-west-1a" = "subnet-a"
    "eu-west-1b" = "subnet-b"
    "eu-west-1c" = "subnet-c"
    "eu-west-1d" = "subnet-d"
  }
  api_subnet_ids = ["subnet-u1", "subnet-u2"]
  ami_id         = "ami-0123456789abcdef0"
}

run "control_plane_in_three_zones" {
  command = plan

  assert {
    condition     = keys(aws_autoscaling_group.control_plane) == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    error_message = "one control-plane group in each of the first three zones"
  }

  assert {
    condition     = alltrue([for g in aws_autoscaling_group.control_plane : g.min_size == 1 && g.max_size == 1])
    error_message = "control-plane groups hold exactly one node"
  }

  assert {
    condition     = keys(aws_ebs_volume.etcd) == keys(aws_autoscaling_group.control_plane)
    error_message = "an etcd volume per control-plane zone"
  }

  assert {
    condition     = aws_autoscaling_group.workers["nodes"].desired_capacity == 3
    error_message = "the default worker group"
  }

  assert {
    condition     = length(aws_autoscaling_group.workers["nodes"].vpc_zone_identifier) == 4
    error_message = "workers span every private subnet"
  }
}

run "worker_groups" {
  command = plan

  variables {
    worker_groups = {
      general = { instance_type = "m6i.large", min_size = 1, max_size = 3 }
      gpu     = { instance_type = "g5.xlarge", min_size = 0, max_size = 2, taints = { gpu = "true:NoSchedule" } }
    }
  }

  assert {
    condition     = keys(aws_autoscaling_group.workers) == ["general", "gpu"]
    error_message = "one autoscaling group per worker group"
  }

  assert {
    condition     = aws_launch_template.workers["gpu"].instance_type == "g5.xlarge"
    error_message = "instance types per group"
  }
}

run "too_few_zones" {
  command = plan

  variables {
    private_subnets = { "eu-west-1a" = "subnet-a" }
  }

  expect_failures = [var.private_subnets]
}

run "bad_taint" {
  command = plan

  variables {
    worker_groups = {
      bad = { instance_type = "m6i.large", min_size = 1, max_size = 2, taints = { x = "NoSchedule" } }
    }
  }

  expect_failures = [var.worker_groups]
}

run "apply_mocked" {
  assert {
    condition     = output.api_endpoint == "https://api-demo.elb.eu-west-1.amazonaws.com"
    error_message = "the API endpoint is the load balancer's name"
  }

  assert {
    condition     = startswith(output.cluster_ca_certificate, "-----BEGIN CERTIFICATE-----")
    error_message = "a real CA certificate"
  }

  assert {
    condition     = keys(output.control_plane_autoscaling_group_names) == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    error_message = "group names by zone"
  }

  assert {
    condition     = can(yamldecode(output.kubeconfig))
    error_message = "the kubeconfig is YAML"
  }
}
