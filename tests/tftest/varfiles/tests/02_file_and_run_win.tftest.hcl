variables {
  d = "file"
}

run "file_level" {
  command = plan

  assert {
    condition     = output.all == "root auto testdir file 2"
    error_message = "got ${output.all}"
  }
}

run "run_level" {
  command = plan

  variables {
    c = "run"
  }

  assert {
    condition     = output.all == "root auto run file 2"
    error_message = "got ${output.all}"
  }
}

run "deliberately_wrong" {
  command = plan

  assert {
    condition     = output.all == "default default default default 0"
    error_message = "the files are read: got ${output.all}"
  }
}
