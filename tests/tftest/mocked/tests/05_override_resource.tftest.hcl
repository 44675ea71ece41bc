override_resource {
  target = terraform_data.a
  values = {
    id = "overridden"
  }
}

run "overridden" {
  assert {
    condition     = output.a_id == "overridden"
    error_message = "override_resource sets values"
  }

  assert {
    condition     = length(terraform_data.b.id) == 36
    error_message = "other resources use the real provider"
  }
}
