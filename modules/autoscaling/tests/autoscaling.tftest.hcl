# Unit tests of the autoscaling module with a mocked kubernetes provider.

mock_provider "kubernetes" {}

variables {
  cluster_name = "demo"
  aws_region   = "eu-west-1"
}

run "renders_autoscaler" {
  command = plan

  assert {
    condition     = contains(output.manifests["Deployment/autoscaling/cluster-autoscaler"].spec.template.spec.containers[0].command, "--expander=least-waste")
    error_message = "least-waste expander by default"
  }

  assert {
    condition     = output.node_group_auto_discovery == "asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/demo"
    error_message = "auto-discovery by the cluster's tags"
  }

  assert {
    condition     = output.asg_tags["k8s.io/cluster-autoscaler/demo"] == "owned"
    error_message = "node group tags"
  }

  assert {
    condition     = output.example_hpa == "autoscaling-example/sample-app"
    error_message = "the example is created by default"
  }

  assert {
    condition     = length(kubernetes_manifest.crd) > 0
    error_message = "VPA CRDs"
  }
}

run "no_example_other_expander" {
  command = plan

  variables {
    create_example = false
    expander       = "random"
  }

  assert {
    condition     = output.example_hpa == null
    error_message = "no example"
  }

  assert {
    condition     = contains(output.manifests["Deployment/autoscaling/cluster-autoscaler"].spec.template.spec.containers[0].command, "--expander=random")
    error_message = "expander follows the variable"
  }
}

run "invalid_region" {
  command = plan

  variables {
    aws_region = "moon-base-1"
  }

  expect_failures = [var.aws_region]
}

run "invalid_expander" {
  command = plan

  variables {
    expander = "cheapest"
  }

  expect_failures = [var.expander]
}

run "apply_mocked" {
  assert {
    condition     = output.object_count == length(kubernetes_manifest.namespace) + length(kubernetes_manifest.crd) + length(kubernetes_manifest.object) + length(kubernetes_manifest.custom)
    error_message = "every object is managed"
  }
}
