//! Adaptive concurrency per AWS service (issue 9): an AIMD limiter per
//! service bounds how many provider operations (create, read, update, delete,
//! a batched refresh, an import, a data source read) run against that service
//! at once. The engine's `-parallelism` stays the upper bound of the whole
//! apply; this one adapts below it.
//!
//! - Every SDK attempt's outcome reaches the limiter of its client through
//!   [`Observe`], an interceptor that reads the SDK's retry classifiers'
//!   verdict on the attempt: throttling (`Throttling`,
//!   `ThrottlingException`, `RequestLimitExceeded`, `TooManyRequestsException`,
//!   `RequestThrottled`, `SlowDown`, `PriorRequestNotComplete`, … — the SDK's
//!   list) halves the limit (floor 1), at most once per [`COOLDOWN`] so that a
//!   burst of throttled attempts counts as one signal; a run of answers that
//!   were not throttled (as long as the current limit) raises it by one, up
//!   to the ceiling. Transient failures (500s, dropped connections) move it
//!   neither way: the SDK retries them.
//! - The SDK still retries every attempt with backoff; the limiter only
//!   lowers how many operations compete for the service meanwhile.
//!
//! Waiting for a slot is bounded ([`MAX_WAIT`]) and the error says what it
//! waited for.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction, RetryReason};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::retry::ErrorKind;
use plinth_provider::ProviderError;

/// The most operations in flight against one service.
pub const CEILING: usize = 16;
/// A throttled answer lowers the limit at most this often.
pub const COOLDOWN: Duration = Duration::from_millis(500);
/// The longest an operation waits for a slot before it fails.
pub const MAX_WAIT: Duration = Duration::from_secs(600);

/// An AIMD concurrency limit for one AWS service.
#[derive(Debug)]
pub struct Limiter {
    service: &'static str,
    ceiling: usize,
    state: Mutex<State>,
    changed: tokio::sync::Notify,
}

#[derive(Debug)]
struct State {
    limit: usize,
    in_flight: usize,
    /// Answers without throttling since the limit last changed.
    successes: usize,
    last_decrease: Option<Instant>,
    throttled: u64,
}

/// A slot of a [`Limiter`]; dropping it frees the slot.
#[derive(Debug)]
pub struct Permit {
    limiter: Arc<Limiter>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut s = self.limiter.state.lock().expect("limiter lock");
        s.in_flight -= 1;
        drop(s);
        self.limiter.changed.notify_waiters();
    }
}

impl Limiter {
    /// A limiter starting at its ceiling.
    pub fn new(service: &'static str, ceiling: usize) -> Arc<Limiter> {
        let ceiling = ceiling.max(1);
        Arc::new(Limiter {
            service,
            ceiling,
            state: Mutex::new(State { limit: ceiling, in_flight: 0, successes: 0, last_decrease: None, throttled: 0 }),
            changed: tokio::sync::Notify::new(),
        })
    }

    #[cfg(test)]
    pub fn service(&self) -> &'static str {
        self.service
    }

    /// The current limit.
    #[cfg(test)]
    pub fn limit(&self) -> usize {
        self.state.lock().expect("limiter lock").limit
    }

    /// How many throttled answers the limiter has seen.
    #[cfg(test)]
    pub fn throttled(&self) -> u64 {
        self.state.lock().expect("limiter lock").throttled
    }

    /// Waits for a slot, for at most `max_wait`; `what` names the operation
    /// for the error.
    pub async fn acquire(self: &Arc<Self>, what: &str, max_wait: Duration) -> Result<Permit, ProviderError> {
        let start = Instant::now();
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            {
                let mut s = self.state.lock().expect("limiter lock");
                if s.in_flight < s.limit {
                    s.in_flight += 1;
                    return Ok(Permit { limiter: self.clone() });
                }
            }
            let left = max_wait.saturating_sub(start.elapsed());
            if tokio::time::timeout(left, changed).await.is_err() {
                let s = self.state.lock().expect("limiter lock");
                return Err(ProviderError::new(
                    format!("timeout while waiting for a free {} call slot", self.service),
                    format!(
                        "{what} waited {}s for one of the {} concurrent {} calls plinth allows while AWS throttles (in flight: {}, throttled answers so far: {}); giving up.",
                        max_wait.as_secs(),
                        s.limit,
                        self.service,
                        s.in_flight,
                        s.throttled
                    ),
                ));
            }
        }
    }

    /// One answer from the service: throttled or not.
    pub fn record(&self, throttled: bool) {
        self.record_at(throttled, Instant::now());
    }

    fn record_at(&self, throttled: bool, now: Instant) {
        let mut s = self.state.lock().expect("limiter lock");
        if throttled {
            s.throttled += 1;
            s.successes = 0;
            if s.last_decrease.is_none_or(|t| now.duration_since(t) >= COOLDOWN) {
                s.limit = (s.limit / 2).max(1);
                s.last_decrease = Some(now);
            }
            return;
        }
        s.successes += 1;
        if s.successes >= s.limit && s.limit < self.ceiling {
            s.limit += 1;
            s.successes = 0;
            drop(s);
            self.changed.notify_waiters();
        }
    }
}

/// Feeds every attempt's outcome, as the SDK's retry classifiers judge it,
/// to a limiter: an interceptor, because `read_after_attempt` runs exactly
/// once per attempt (the classifiers themselves run more than once: the
/// connection-poisoning interceptor consults them too). It changes nothing.
#[derive(Debug)]
pub struct Observe(pub Arc<Limiter>);

impl Intercept for Observe {
    fn name(&self) -> &'static str {
        "plinth adaptive concurrency"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let ctx = context.inner();
        // The classifiers' verdict, folded as the retry strategy folds it
        // (they come sorted by priority).
        let mut verdict = RetryAction::NoActionIndicated;
        for c in runtime_components.retry_classifiers() {
            let v = c.classify_retry_v2(ctx, &verdict);
            if v != RetryAction::NoActionIndicated {
                verdict = v;
            }
            if verdict == RetryAction::RetryForbidden {
                break;
            }
        }
        match verdict {
            RetryAction::RetryIndicated(RetryReason::RetryableError { kind: ErrorKind::ThrottlingError, .. }) => self.0.record(true),
            // Transient and server errors say nothing about the rate.
            RetryAction::RetryIndicated(_) => {}
            // An answer: success or a non-retryable error (not found, …).
            _ if ctx.output_or_error().is_some() => self.0.record(false),
            _ => {}
        }
        Ok(())
    }
}

/// One limiter per service the provider calls.
#[derive(Debug)]
pub struct Limiters {
    pub ec2: Arc<Limiter>,
    pub autoscaling: Arc<Limiter>,
    pub ecr: Arc<Limiter>,
    pub iam: Arc<Limiter>,
    pub elbv2: Arc<Limiter>,
    pub s3: Arc<Limiter>,
    pub sts: Arc<Limiter>,
}

impl Limiters {
    pub fn new(ceiling: usize) -> Limiters {
        Limiters {
            ec2: Limiter::new("ec2", ceiling),
            autoscaling: Limiter::new("autoscaling", ceiling),
            ecr: Limiter::new("ecr", ceiling),
            iam: Limiter::new("iam", ceiling),
            elbv2: Limiter::new("elbv2", ceiling),
            s3: Limiter::new("s3", ceiling),
            sts: Limiter::new("sts", ceiling),
        }
    }

    /// The limiter of the service a resource or data source type mostly
    /// calls; `None` for types that call no API.
    pub fn for_type(&self, type_name: &str) -> Option<&Arc<Limiter>> {
        let t = type_name.strip_prefix("aws_")?;
        Some(match t {
            "iam_policy_document" | "region" => return None,
            "caller_identity" => &self.sts,
            _ if t.starts_with("ecr_") => &self.ecr,
            _ if t.starts_with("iam_") => &self.iam,
            _ if t.starts_with("autoscaling_") => &self.autoscaling,
            _ if t.starts_with("lb") || t.starts_with("alb") => &self.elbv2,
            _ if t.starts_with("s3_") => &self.s3,
            _ => &self.ec2,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_halves_the_limit_once_per_cooldown_and_successes_raise_it_back() {
        let l = Limiter::new("ec2", 16);
        let t0 = Instant::now();
        l.record_at(true, t0);
        assert_eq!(l.limit(), 8);
        // A burst of throttled answers within the cooldown is one signal.
        l.record_at(true, t0 + Duration::from_millis(10));
        assert_eq!(l.limit(), 8);
        let mut t = t0;
        for _ in 0..5 {
            t += COOLDOWN;
            l.record_at(true, t);
        }
        assert_eq!(l.limit(), 1, "floor is 1");
        assert_eq!(l.throttled(), 7);
        // One more after a run as long as the limit: 1 → 2 after 1, → 3 after 2 more, …
        l.record_at(false, t);
        assert_eq!(l.limit(), 2);
        l.record_at(false, t);
        assert_eq!(l.limit(), 2);
        l.record_at(false, t);
        assert_eq!(l.limit(), 3);
        for _ in 0..1000 {
            l.record_at(false, t);
        }
        assert_eq!(l.limit(), 16, "up to the ceiling, not beyond");
        // A throttled answer resets the run.
        t += COOLDOWN;
        l.record_at(true, t);
        assert_eq!(l.limit(), 8);
        for _ in 0..7 {
            l.record_at(false, t);
        }
        l.record_at(true, t + Duration::from_millis(1));
        assert_eq!(l.limit(), 8, "within the cooldown: no decrease");
        for _ in 0..7 {
            l.record_at(false, t);
        }
        assert_eq!(l.limit(), 8, "the run restarted after the throttled answer");
        l.record_at(false, t);
        assert_eq!(l.limit(), 9);
    }

    #[tokio::test]
    async fn permits_are_bounded_by_the_limit_and_waits_time_out_saying_what_for() {
        let l = Limiter::new("iam", 2);
        let a = l.acquire("create aws_iam_role.a", Duration::from_secs(1)).await.unwrap();
        let _b = l.acquire("create aws_iam_role.b", Duration::from_secs(1)).await.unwrap();
        let err = l.acquire("create aws_iam_role.c", Duration::from_millis(50)).await.unwrap_err();
        assert!(err.summary.contains("free iam call slot"), "{}", err.summary);
        assert!(err.detail.contains("create aws_iam_role.c"), "{}", err.detail);
        // A freed slot wakes a waiter.
        let l2 = l.clone();
        let waiter = tokio::spawn(async move { l2.acquire("create aws_iam_role.d", Duration::from_secs(5)).await.map(|_| ()) });
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(a);
        waiter.await.unwrap().unwrap();
        // A lower limit holds back new operations until slots free up.
        l.record(true);
        assert_eq!(l.limit(), 1);
        assert!(l.acquire("read", Duration::from_millis(20)).await.is_err(), "one still in flight (b)");
    }

    /// A one-thread HTTP server answering `answers` in turn, one per connection.
    fn serve(answers: Vec<(u16, &'static str)>) -> String {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for (status, body) in answers {
                let (stream, _) = listener.accept().unwrap();
                let mut r = BufReader::new(stream);
                let mut len = 0;
                loop {
                    let mut line = String::new();
                    r.read_line(&mut line).unwrap();
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap();
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                r.read_exact(&mut vec![0; len]).unwrap();
                let mut w = r.into_inner();
                write!(
                    w,
                    "HTTP/1.1 {status} X\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
                .unwrap();
            }
        });
        url
    }

    #[tokio::test]
    async fn the_sdk_reports_throttled_attempts_to_the_limiter() {
        use aws_sdk_ec2::config::{retry::RetryConfig, BehaviorVersion, Credentials, Region};
        let throttled = (400, "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>1</RequestID></Response>");
        let ok = (200, "<DescribeVpcsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>2</requestId><vpcSet/></DescribeVpcsResponse>");
        let url = serve(vec![throttled, ok, ok]);
        let l = Limiter::new("ec2", 8);
        let conf = aws_sdk_ec2::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("a", "b", None, None, "test"))
            .endpoint_url(url)
            .retry_config(RetryConfig::standard().with_max_attempts(3).with_initial_backoff(Duration::from_millis(1)))
            .interceptor(Observe(l.clone()))
            .build();
        let ec2 = aws_sdk_ec2::Client::from_conf(conf);
        ec2.describe_vpcs().send().await.expect("retried past the throttling");
        assert_eq!((l.throttled(), l.limit()), (1, 4), "one throttled attempt halves the limit");
        ec2.describe_vpcs().send().await.expect("second call");
        let s = l.state.lock().unwrap();
        assert_eq!(s.successes, 2, "each answered attempt counts towards raising it again");
    }

    #[test]
    fn types_map_to_their_service() {
        let ls = Limiters::new(4);
        let svc = |t: &str| ls.for_type(t).map(|l| l.service());
        assert_eq!(svc("aws_vpc"), Some("ec2"));
        assert_eq!(svc("aws_ecr_repository"), Some("ecr"));
        assert_eq!(svc("aws_iam_role_policy"), Some("iam"));
        assert_eq!(svc("aws_iam_policy_document"), None);
        assert_eq!(svc("aws_lb_listener"), Some("elbv2"));
        assert_eq!(svc("aws_alb"), Some("elbv2"));
        assert_eq!(svc("aws_launch_template"), Some("ec2"));
        assert_eq!(svc("aws_autoscaling_group"), Some("autoscaling"));
        assert_eq!(svc("aws_s3_bucket_versioning"), Some("s3"));
        assert_eq!(svc("aws_caller_identity"), Some("sts"));
    }
}
