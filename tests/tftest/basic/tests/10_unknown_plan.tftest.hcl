run "unknown" {
  command = plan

  assert {
    condition     = output.one_id != ""
    error_message = "ids are unknown during plan"
  }
}

run "skipped_after_error" {
  command = plan
}
