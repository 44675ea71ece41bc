run "setup" {
  module {
    source = "./setup"
  }

  variables {
    seed = "fromsetup"
  }
}

run "use_setup" {
  variables {
    prefix = run.setup.seed
    size   = 1
  }

  assert {
    condition     = output.names == ["fromsetup-0"]
    error_message = "setup output feeds the main module"
  }
}

run "setup_upper" {
  command = plan

  assert {
    condition     = run.setup.upper == "FROMSETUP"
    error_message = "setup outputs stay readable"
  }
}
