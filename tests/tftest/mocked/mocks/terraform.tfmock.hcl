# Mock data for tests/11_mock_source.tftest.hcl (`source = "./mocks"`).
mock_resource "terraform_data" {
  defaults = {
    id     = "from-mock-file"
    output = "file-output"
  }
}

override_resource {
  target = terraform_data.b
  values = {
    id = "b-from-file"
  }
}
