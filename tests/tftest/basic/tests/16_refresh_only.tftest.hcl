run "apply" {}

run "refresh_only" {
  command = plan

  variables {
    name = "changed"
  }

  plan_options {
    mode = refresh-only
  }

  assert {
    condition     = terraform_data.one.input == "web-2"
    error_message = "refresh-only plans keep state values"
  }
}
