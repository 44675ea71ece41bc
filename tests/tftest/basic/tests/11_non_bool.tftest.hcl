run "not_a_bool" {
  command = plan

  assert {
    condition     = var.name
    error_message = "a string is not a condition"
  }
}

run "after" {
  command = plan
}
