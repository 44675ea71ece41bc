//! VPC DHCP options sets and their association with a VPC.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_sdk_ec2::types::{self as t, ResourceType as Rt};
use plinth_provider::ProviderError;
use plinth_value::{Type, Value};

use crate::ec2::{delete_retrying, filter, read_batched, read_new, tag_spec, tags_map, update_tags};
use crate::util::*;
use crate::{Clients, ResourceType};

pub(crate) fn register(m: &mut BTreeMap<String, Arc<dyn ResourceType>>) {
    m.insert("aws_vpc_dhcp_options".into(), Arc::new(DhcpOptions));
    m.insert("aws_vpc_dhcp_options_association".into(), Arc::new(DhcpAssociation));
}

/// Terraform argument → DHCP configuration key, and whether it is a list.
const KEYS: [(&str, &str, bool); 6] = [
    ("domain_name", "domain-name", false),
    ("domain_name_servers", "domain-name-servers", true),
    ("ntp_servers", "ntp-servers", true),
    ("netbios_name_servers", "netbios-name-servers", true),
    ("netbios_node_type", "netbios-node-type", false),
    ("ipv6_address_preferred_lease_time", "ipv6-address-preferred-lease-time", false),
];

struct DhcpOptions;

impl DhcpOptions {
    async fn describe(c: &Clients, ids: Vec<String>) -> Result<Vec<(String, t::DhcpOptions)>, ProviderError> {
        let r = c
            .ec2
            .describe_dhcp_options()
            .filters(filter("dhcp-options-id", ids))
            .send()
            .await
            .map_err(|e| aws_err("reading EC2 DHCP Options Sets", e))?;
        Ok(r.dhcp_options().iter().filter_map(|d| Some((d.dhcp_options_id()?.to_string(), d.clone()))).collect())
    }

    fn to_obj(c: &Clients, base: &Value, d: t::DhcpOptions) -> Obj {
        let id = d.dhcp_options_id().unwrap_or_default().to_string();
        let mut o = Obj::from(base);
        o.set("id", vs(&id));
        o.s("owner_id", d.owner_id());
        o.set("arn", vs(format!("arn:aws:ec2:{}:{}:dhcp-options/{id}", c.region, d.owner_id().unwrap_or_default())));
        for (arg, key, list) in KEYS {
            let vals: Vec<String> = d
                .dhcp_configurations()
                .iter()
                .filter(|x| x.key() == Some(key))
                .flat_map(|x| x.values().iter().filter_map(|v| v.value().map(str::to_string)))
                .collect();
            if list {
                o.set(arg, if vals.is_empty() { Value::null(list_str()) } else { vstrs(vals) });
            } else if arg == "ipv6_address_preferred_lease_time" {
                o.set(arg, vzs(vals.into_iter().next()));
            } else {
                o.s(arg, vals.into_iter().next());
            }
        }
        set_tags(&mut o, tags_map(d.tags()), &c.default_tags);
        o
    }
}

#[async_trait::async_trait]
impl ResourceType for DhcpOptions {
    fn schema(&self) -> Sb {
        Sb::new()
            .a("arn", str_t(), "C")
            .a("domain_name", str_t(), "OF")
            .a("domain_name_servers", list_str(), "OF")
            .a("ipv6_address_preferred_lease_time", str_t(), "OCF")
            .a("netbios_name_servers", list_str(), "OF")
            .a("netbios_node_type", str_t(), "OF")
            .a("ntp_servers", list_str(), "OF")
            .a("owner_id", str_t(), "C")
            .tagged()
    }

    async fn create(&self, c: &Clients, planned: &Value, token: &str) -> Result<Obj, ProviderError> {
        let mut confs = Vec::new();
        for (arg, key, list) in KEYS {
            let vals = if list { gstrs(planned, arg) } else { gsn(planned, arg).into_iter().collect() };
            if !vals.is_empty() {
                confs.push(t::NewDhcpConfiguration::builder().key(key).set_values(Some(vals)).build());
            }
        }
        let r = c
            .ec2
            .create_dhcp_options()
            .set_dhcp_configurations(Some(confs))
            .tag_specifications(tag_spec(Rt::DhcpOptions, planned, token))
            .send()
            .await
            .map_err(|e| aws_err("creating EC2 DHCP Options Set", e))?;
        let id = r.dhcp_options().and_then(|d| d.dhcp_options_id()).unwrap_or_default().to_string();
        // Some emulators drop the tag specification: tag again (idempotent).
        if r.dhcp_options().is_some_and(|d| d.tags().is_empty()) {
            let mut tags = gmap(planned, "tags_all");
            tags.insert(OPERATION_TAG.to_string(), token.to_string());
            let tags: Vec<t::Tag> = tags.into_iter().map(|(k, v)| t::Tag::builder().key(k).value(v).build()).collect();
            retry_on(c.consistency, &["InvalidDhcpOptionID.NotFound", "InvalidDhcpOptionsID.NotFound"], || async {
                c.ec2
                    .create_tags()
                    .resources(&id)
                    .set_tags(Some(tags.clone()))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| aws_err(&format!("tagging EC2 DHCP Options Set {id}"), e))
            })
            .await?;
        }
        let mut base = Obj::from(planned);
        base.set("id", vs(&id));
        read_new(self, c, base, &format!("EC2 DHCP Options Set {id}")).await
    }

    async fn read(&self, c: &Clients, state: &Value) -> Result<Option<Obj>, ProviderError> {
        self.read_many(c, std::slice::from_ref(state)).await.pop().expect("one result")
    }

    async fn read_many(&self, c: &Clients, states: &[Value]) -> Vec<Result<Option<Obj>, ProviderError>> {
        read_batched(c, states, |ids| Self::describe(c, ids), |base, d| async move { Ok(Self::to_obj(c, &base, d)) }).await
    }

    async fn update(&self, c: &Clients, prior: &Value, planned: &Value) -> Result<Obj, ProviderError> {
        let id = id_of(prior)?;
        update_tags(c, &id, prior, planned).await?;
        self.read(c, planned).await?.ok_or_else(|| ProviderError::new("EC2 DHCP Options Set vanished", id))
    }

    /// Like Terraform: VPCs still using the set go back to `default` first.
    async fn delete(&self, c: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let id = id_of(prior)?;
        let vpcs = c
            .ec2
            .describe_vpcs()
            .filters(filter("dhcp-options-id", vec![id.clone()]))
            .send()
            .await
            .map_err(|e| aws_err("reading EC2 VPCs", e))?;
        for v in vpcs.vpcs() {
            if let Some(vpc) = v.vpc_id() {
                c.ec2
                    .associate_dhcp_options()
                    .dhcp_options_id("default")
                    .vpc_id(vpc)
                    .send()
                    .await
                    .map_err(|e| aws_err(&format!("disassociating EC2 DHCP Options Set {id} from {vpc}"), e))?;
            }
        }
        delete_retrying(c, &format!("EC2 DHCP Options Set {id}"), || async {
            c.ec2
                .delete_dhcp_options()
                .dhcp_options_id(&id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_err(&format!("deleting EC2 DHCP Options Set {id}"), e))
        })
        .await
    }

    async fn find_by_token(&self, c: &Clients, token: &str) -> Result<Option<Obj>, ProviderError> {
        let r = c
            .ec2
            .describe_dhcp_options()
            .filters(filter(&format!("tag:{OPERATION_TAG}"), vec![token.to_string()]))
            .send()
            .await
            .map_err(|e| aws_err("finding object by operation token", e))?;
        Ok(r.dhcp_options().first().map(|d| Self::to_obj(c, &Value::object(BTreeMap::new()), d.clone())))
    }
}

// ---- aws_vpc_dhcp_options_association ------------------------------------------------------

struct DhcpAssociation;

impl DhcpAssociation {
    async fn associate(c: &Clients, vpc: &str, dopt: &str) -> Result<(), ProviderError> {
        retry_on(c.consistency, &["InvalidVpcID.NotFound", "InvalidDhcpOptionID.NotFound", "InvalidDhcpOptionsID.NotFound"], || async {
            c.ec2
                .associate_dhcp_options()
                .dhcp_options_id(dopt)
                .vpc_id(vpc)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_err(&format!("associating EC2 DHCP Options Set ({dopt}) with VPC ({vpc})"), e))
        })
        .await
    }
}

#[async_trait::async_trait]
impl ResourceType for DhcpAssociation {
    fn schema(&self) -> Sb {
        Sb::new().a("dhcp_options_id", str_t(), "R").a("vpc_id", str_t(), "RF")
    }

    fn plan(&self, prior: Option<&Value>, _config: &Value, planned: &mut Obj) {
        // The ID names both: a new options set makes a new ID.
        if let Some(p) = prior {
            if gs(p, "dhcp_options_id") != planned.get("dhcp_options_id").and_then(Value::as_str).map(str::to_string) {
                planned.set("id", Value::unknown(Type::String));
            }
        }
    }

    async fn create(&self, c: &Clients, planned: &Value, _token: &str) -> Result<Obj, ProviderError> {
        let vpc = gs(planned, "vpc_id").unwrap_or_default();
        let dopt = gs(planned, "dhcp_options_id").unwrap_or_default();
        Self::associate(c, &vpc, &dopt).await?;
        let mut o = Obj::from(planned);
        o.set("id", vs(format!("{dopt}-{vpc}")));
        Ok(o)
    }

    async fn read(&self, c: &Clients, state: &Value) -> Result<Option<Obj>, ProviderError> {
        let Some(vpc) = gs(state, "vpc_id") else { return Ok(None) };
        let r =
            c.ec2.describe_vpcs().filters(filter("vpc-id", vec![vpc.clone()])).send().await.map_err(|e| aws_err("reading EC2 VPC", e))?;
        let Some(v) = r.vpcs().first() else { return Ok(None) };
        let dopt = v.dhcp_options_id().unwrap_or("default").to_string();
        // Terraform's own test: an association with "default" is gone.
        if dopt == "default" && gs(state, "dhcp_options_id").as_deref() != Some("default") {
            return Ok(None);
        }
        let mut o = Obj::from(state);
        o.set("dhcp_options_id", vs(&dopt));
        o.set("id", vs(format!("{dopt}-{vpc}")));
        Ok(Some(o))
    }

    async fn update(&self, c: &Clients, _prior: &Value, planned: &Value) -> Result<Obj, ProviderError> {
        self.create(c, planned, "").await
    }

    async fn delete(&self, c: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let vpc = gs(prior, "vpc_id").unwrap_or_default();
        match Self::associate(c, &vpc, "default").await {
            Err(e) if is_not_found(&e) => Ok(()),
            other => other,
        }
    }

    /// The import ID is the VPC's.
    async fn import(&self, c: &Clients, id: &str, mut base: Obj) -> Result<Option<Obj>, ProviderError> {
        base.set("vpc_id", vs(id));
        base.set("dhcp_options_id", Value::null(Type::String));
        let r = c
            .ec2
            .describe_vpcs()
            .filters(filter("vpc-id", vec![id.to_string()]))
            .send()
            .await
            .map_err(|e| aws_err("reading EC2 VPC", e))?;
        let Some(v) = r.vpcs().first() else { return Ok(None) };
        base.s("dhcp_options_id", v.dhcp_options_id());
        self.read(c, &Value::object(base.0)).await
    }
}
