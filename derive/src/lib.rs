//! `#[derive(CustomResource)]` for Keelson (being built).

use proc_macro::TokenStream;

/// Generates a custom resource type from a spec struct (being built).
#[proc_macro_derive(CustomResource, attributes(resource))]
pub fn derive_custom_resource(input: TokenStream) -> TokenStream {
    let _ = input;
    TokenStream::new()
}
