//! The gRPC calls, by protocol version: tfplugin5 and tfplugin6 share their
//! messages (see `proto.rs`) and differ in the service name and in the names
//! of five RPCs.

use std::str::FromStr;
use std::time::Duration;

use http::uri::PathAndQuery;
use tonic::transport::Channel;

use crate::proto::*;

/// Terraform allows provider responses up to 256 MiB (large schemas).
const MAX_MESSAGE: usize = 256 << 20;

#[derive(Clone)]
pub struct Client {
    channel: Channel,
    pub version: u32,
}

/// An RPC that failed below the protocol: the plugin crashed, closed the
/// connection, or answered something that is not the message.
#[derive(Debug)]
pub struct RpcError {
    pub method: &'static str,
    pub status: tonic::Status,
}

impl Client {
    pub fn new(channel: Channel, version: u32) -> Client {
        Client { channel, version }
    }

    fn v5(&self) -> bool {
        self.version == 5
    }

    async fn unary<Req, Resp>(&self, service: &str, method: &'static str, req: Req) -> Result<Resp, RpcError>
    where
        Req: prost::Message + Send + Sync + 'static,
        Resp: prost::Message + Default + Send + Sync + 'static,
    {
        let err = |status| RpcError { method, status };
        let mut grpc =
            tonic::client::Grpc::new(self.channel.clone()).max_decoding_message_size(MAX_MESSAGE).max_encoding_message_size(MAX_MESSAGE);
        grpc.ready().await.map_err(|e| err(tonic::Status::unavailable(e.to_string())))?;
        let path = PathAndQuery::from_str(&format!("/{service}/{method}")).map_err(|e| err(tonic::Status::internal(e.to_string())))?;
        let codec = tonic_prost::ProstCodec::<Req, Resp>::default();
        grpc.unary(tonic::Request::new(req), path, codec).await.map(tonic::Response::into_inner).map_err(err)
    }

    async fn call<Req, Resp>(&self, method: &'static str, req: Req) -> Result<Resp, RpcError>
    where
        Req: prost::Message + Send + Sync + 'static,
        Resp: prost::Message + Default + Send + Sync + 'static,
    {
        let service = if self.v5() { "tfplugin5.Provider" } else { "tfplugin6.Provider" };
        self.unary(service, method, req).await
    }

    pub async fn get_schema(&self) -> Result<GetProviderSchemaResponse, RpcError> {
        if self.v5() {
            let r: GetProviderSchemaResponse5 = self.call("GetSchema", Empty {}).await?;
            Ok(r.into())
        } else {
            self.call("GetProviderSchema", Empty {}).await
        }
    }

    pub async fn validate_provider_config(&self, config: DynamicValue) -> Result<ValidateProviderConfigResponse, RpcError> {
        let req = ValidateProviderConfigRequest { config: Some(config) };
        let method = if self.v5() { "PrepareProviderConfig" } else { "ValidateProviderConfig" };
        self.call(method, req).await
    }

    pub async fn configure(&self, config: DynamicValue, terraform_version: &str) -> Result<DiagnosticsResponse, RpcError> {
        let req = ConfigureRequest {
            terraform_version: terraform_version.to_string(),
            config: Some(config),
            client_capabilities: Some(capabilities()),
        };
        self.call(if self.v5() { "Configure" } else { "ConfigureProvider" }, req).await
    }

    pub async fn validate_resource(&self, type_name: &str, config: DynamicValue) -> Result<DiagnosticsResponse, RpcError> {
        let req =
            ValidateConfigRequest { type_name: type_name.to_string(), config: Some(config), client_capabilities: Some(capabilities()) };
        self.call(if self.v5() { "ValidateResourceTypeConfig" } else { "ValidateResourceConfig" }, req).await
    }

    pub async fn validate_data_source(&self, type_name: &str, config: DynamicValue) -> Result<DiagnosticsResponse, RpcError> {
        let req = ValidateConfigRequest { type_name: type_name.to_string(), config: Some(config), client_capabilities: None };
        self.call(if self.v5() { "ValidateDataSourceConfig" } else { "ValidateDataResourceConfig" }, req).await
    }

    pub async fn upgrade_resource_state(&self, req: UpgradeResourceStateRequest) -> Result<UpgradeResourceStateResponse, RpcError> {
        self.call("UpgradeResourceState", req).await
    }

    pub async fn read_resource(&self, req: ReadResourceRequest) -> Result<ReadResourceResponse, RpcError> {
        self.call("ReadResource", req).await
    }

    pub async fn plan_resource_change(&self, req: PlanResourceChangeRequest) -> Result<PlanResourceChangeResponse, RpcError> {
        self.call("PlanResourceChange", req).await
    }

    pub async fn apply_resource_change(&self, req: ApplyResourceChangeRequest) -> Result<ApplyResourceChangeResponse, RpcError> {
        self.call("ApplyResourceChange", req).await
    }

    pub async fn import_resource_state(&self, req: ImportResourceStateRequest) -> Result<ImportResourceStateResponse, RpcError> {
        self.call("ImportResourceState", req).await
    }

    pub async fn read_data_source(&self, req: ReadDataSourceRequest) -> Result<ReadDataSourceResponse, RpcError> {
        self.call("ReadDataSource", req).await
    }

    /// Asks the provider to cancel what it is doing (Ctrl-C).
    pub async fn stop(&self) -> Result<StopResponse, RpcError> {
        self.call(if self.v5() { "Stop" } else { "StopProvider" }, Empty {}).await
    }

    /// go-plugin's controller: asks the plugin process to exit.
    pub async fn shutdown(&self, wait: Duration) {
        let _ = tokio::time::timeout(wait, self.unary::<Empty, Empty>("plugin.GRPCController", "Shutdown", Empty {})).await;
    }
}

/// What plinth tells providers it can handle: no deferrals, no write-only
/// attributes (yet).
fn capabilities() -> ClientCapabilities {
    ClientCapabilities { deferral_allowed: false, write_only_attributes_allowed: false }
}
