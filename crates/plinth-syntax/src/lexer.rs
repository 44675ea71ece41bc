//! Tokenizer for HCL native syntax (to be written).
