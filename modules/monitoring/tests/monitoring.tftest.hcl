# Unit tests of the monitoring module with a mocked kubernetes provider.

mock_provider "kubernetes" {}

variables {
  cluster_name           = "demo"
  grafana_admin_password = "correct-horse-battery"
}

run "renders_the_stack" {
  command = plan

  assert {
    condition     = output.manifests["Prometheus/monitoring/main"].spec.replicas == 1
    error_message = "one Prometheus by default"
  }

  assert {
    condition     = output.manifests["Prometheus/monitoring/main"].spec.retention == "15d"
    error_message = "15 days of retention"
  }

  assert {
    condition     = contains(output.alert_names, "NodeDown")
    error_message = "the default alerts include NodeDown"
  }

  assert {
    condition     = length(kubernetes_manifest.crd) > 0 && length(kubernetes_manifest.custom) > 0
    error_message = "CRDs and the custom resources using them are separate resources"
  }

  assert {
    condition     = output.prometheus_url == "http://prometheus.monitoring.svc:9090"
    error_message = "in-cluster URL"
  }
}

run "custom_alerts_and_replicas" {
  command = plan

  variables {
    prometheus_replicas = 2
    alert_rules = [
      {
        alert   = "Always"
        expr    = "vector(1)"
        summary = "always firing"
      },
    ]
  }

  assert {
    condition     = output.alert_names == ["Always"]
    error_message = "the given rules replace the defaults"
  }

  assert {
    condition     = output.manifests["Prometheus/monitoring/main"].spec.replicas == 2
    error_message = "two replicas"
  }
}

run "short_password" {
  command = plan

  variables {
    grafana_admin_password = "short"
  }

  expect_failures = [var.grafana_admin_password]
}

run "bad_retention" {
  command = plan

  variables {
    prometheus_retention = "two weeks"
  }

  expect_failures = [var.prometheus_retention]
}

run "apply_mocked" {
  assert {
    condition     = output.grafana_url == "http://grafana.monitoring.svc:3000"
    error_message = "applied against the mock"
  }

  assert {
    condition     = output.object_count == length(kubernetes_manifest.namespace) + length(kubernetes_manifest.crd) + length(kubernetes_manifest.object) + length(kubernetes_manifest.custom) + 2
    error_message = "every object is managed, the two secrets included"
  }
}
