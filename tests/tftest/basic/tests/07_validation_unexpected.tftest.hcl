run "too_long" {
  command = plan

  variables {
    name = "much-too-long"
  }
}

run "skipped" {
  command = plan
}
