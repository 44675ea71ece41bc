# Unit tests of the ingress module with a mocked kubernetes provider: the
# manifests are rendered and planned without a cluster.

mock_provider "kubernetes" {}

variables {
  app_image = "registry.example.com/sample-app:1.0"
}

run "renders_controller_and_app" {
  command = plan

  assert {
    condition     = contains(keys(kubernetes_manifest.namespace), "Namespace/ingress-nginx")
    error_message = "the controller's namespace is its own resource"
  }

  assert {
    condition     = contains(keys(kubernetes_manifest.object), "Deployment/ingress-nginx/ingress-nginx-controller")
    error_message = "the controller Deployment"
  }

  assert {
    condition     = output.manifests["Deployment/ingress-nginx/ingress-nginx-controller"].spec.replicas == 2
    error_message = "two controller replicas by default"
  }

  assert {
    condition     = output.app_url == "http://<load balancer address>/"
    error_message = "the app is served on the load balancer's address without a host"
  }

  assert {
    condition     = output.object_count == length(kubernetes_manifest.namespace) + length(kubernetes_manifest.object)
    error_message = "every rendered object is managed"
  }
}

run "without_app" {
  command = plan

  variables {
    create_app = false
  }

  assert {
    condition     = output.app_url == null
    error_message = "no app URL without the app"
  }

  assert {
    condition     = length([for k in keys(output.manifests) : k if startswith(k, "Deployment/sample-app/")]) == 0
    error_message = "no app objects"
  }
}

run "replicas_and_host" {
  command = plan

  variables {
    controller_replicas = 3
    app_host            = "app.example.com"
  }

  assert {
    condition     = output.manifests["Deployment/ingress-nginx/ingress-nginx-controller"].spec.replicas == 3
    error_message = "replicas follow the variable"
  }

  assert {
    condition     = output.app_url == "http://app.example.com/"
    error_message = "the host is in the URL"
  }
}

run "invalid_replicas" {
  command = plan

  variables {
    controller_replicas = 0
  }

  expect_failures = [var.controller_replicas]
}

run "invalid_namespace" {
  command = plan

  variables {
    namespace = "Not A Label"
  }

  expect_failures = [var.namespace]
}

run "apply_mocked" {
  assert {
    condition     = output.namespace == "ingress-nginx"
    error_message = "applied against the mock"
  }

  assert {
    condition     = length(kubernetes_manifest.object) > 3
    error_message = "objects are in state"
  }
}
