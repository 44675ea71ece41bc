run "first" {
  state_key = "shared"

  variables {
    size = 1
  }
}

run "second" {
  state_key = "shared"
  command   = plan

  variables {
    size = 1
  }

  assert {
    condition     = output.names == run.first.names
    error_message = "same state key, same state"
  }
}

run "fresh" {
  state_key = "other"
  command   = plan

  assert {
    condition     = length(module.child.names) == 2
    error_message = "a new key starts from an empty state"
  }
}
