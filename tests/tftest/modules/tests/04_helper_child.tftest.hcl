run "child_alone" {
  module {
    source = "./child"
  }

  variables {
    prefix = "solo"
    size   = 3
  }

  assert {
    condition     = output.names == ["solo-0", "solo-1", "solo-2"]
    error_message = "the child module tested on its own"
  }
}

run "child_fails" {
  module {
    source = "./child"
  }

  variables {
    prefix = "solo"
  }

  assert {
    condition     = length(output.names) == 3
    error_message = "size defaults to 1"
  }
}
