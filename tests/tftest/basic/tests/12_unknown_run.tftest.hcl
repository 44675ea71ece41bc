run "first" {
  command = plan
}

run "bad_reference" {
  command = plan

  variables {
    name = run.nosuch.full
  }
}
