variables {
  name = "secret"
}

run "sensitive_values_compare" {
  command = plan

  assert {
    condition     = nonsensitive(sensitive(var.name)) == "secret"
    error_message = "nonsensitive unwraps"
  }

  assert {
    condition     = sensitive(var.name) == "secret"
    error_message = "sensitive comparisons are still booleans"
  }
}
