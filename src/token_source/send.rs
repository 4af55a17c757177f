//! The `reqwest` integration (feature `reqwest`): authorize a
//! `reqwest::Request` for the API URL's own origin, and send it with one
//! refresh and one retry after a 401, as uv's and rattler's authentication
//! middlewares do, without depending on `reqwest-middleware`.

use super::TokenSource;
use crate::error::{Error, Result};
use crate::secret::Secret;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};

/// The header that carries the tenant.
const X_TENANT: HeaderName = HeaderName::from_static("x-tenant");

impl TokenSource {
    /// Add `Authorization: Bearer <token>` (and `X-Tenant` when a tenant
    /// resolves) to `req`, refreshing the token first if it is about to
    /// expire. Only a request to the API URL's own origin is touched, and an
    /// `Authorization` (or `X-Tenant`) the caller set is never replaced.
    /// Returns the token it added, `None` when it added none.
    pub async fn authorize(
        &self,
        client: &reqwest::Client,
        req: &mut reqwest::Request,
    ) -> Result<Option<Secret>> {
        if !self.is_own_origin(req.url()) || req.headers().contains_key(AUTHORIZATION) {
            return Ok(None);
        }
        let token = self.token_async(client).await?;
        let tenant = self.tenant_async().await?;
        put(req, &token, tenant.as_deref())?;
        Ok(Some(token))
    }

    /// Authorize `req` (see [`TokenSource::authorize`]) and send it with
    /// `client`. When the API answers 401 to a token keyward added, the
    /// token is refreshed once (unless another process already did) and the
    /// request sent once more; the second answer is returned whatever it
    /// is. A request whose body cannot be cloned (a stream) is sent once,
    /// without the retry.
    pub async fn send(
        &self,
        client: &reqwest::Client,
        mut req: reqwest::Request,
    ) -> Result<reqwest::Response> {
        let again = req.try_clone();
        let added = self.authorize(client, &mut req).await?;
        let url = req.url().to_string();
        let trace = self.inner.session.trace();
        let resp = execute(client, &url, req, trace).await?;
        let (Some(token), Some(mut again)) = (added, again) else {
            return Ok(resp);
        };
        if resp.status() != reqwest::StatusCode::UNAUTHORIZED || self.uses_env_token() {
            return Ok(resp);
        }
        drop(resp);
        let fresh = self.token_after_rejection_async(&token, client).await?;
        let tenant = self.tenant_async().await?;
        put(&mut again, &fresh, tenant.as_deref())?;
        execute(client, &url, again, trace).await
    }

    /// [`TokenSource::send`] for a `RequestBuilder` (split into its client
    /// and request).
    pub async fn send_builder(
        &self,
        builder: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response> {
        let (client, req) = builder.build_split();
        let req = req.map_err(|e| {
            Error::usage(
                "the request cannot be built",
                Some(crate::http::error_from("", &e).cause),
            )
        })?;
        self.send(&client, req).await
    }

    /// The tenant, reading the store on a blocking thread when the token
    /// source has not read it yet.
    async fn tenant_async(&self) -> Result<Option<String>> {
        if self.inner.cache.tenant().is_none()
            && !self.uses_env_token()
            && let Ok(s) =
                crate::auth::refresh::read(&self.inner.session, &self.inner.api_url).await
        {
            self.inner.cache.learn(&s.record);
        }
        let captured = self.inner.cache.tenant().flatten();
        Ok(self
            .inner
            .session
            .tenant(
                &self.inner.api_url,
                self.inner.tenant.as_deref(),
                captured.as_deref(),
            )?
            .map(|t| t.0))
    }

    fn is_own_origin(&self, url: &reqwest::Url) -> bool {
        reqwest::Url::parse(self.api_url().as_str()).is_ok_and(|own| own.origin() == url.origin())
    }
}

/// Set the credentials on `req`: the Bearer token (marked sensitive), and
/// `X-Tenant` unless the caller set one.
fn put(req: &mut reqwest::Request, token: &Secret, tenant: Option<&str>) -> Result<()> {
    let mut auth = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
        .map_err(|_| Error::other("the token cannot be sent in a header", None, None))?;
    auth.set_sensitive(true);
    req.headers_mut().insert(AUTHORIZATION, auth);
    if let Some(t) = tenant
        && !req.headers().contains_key(&X_TENANT)
        && let Ok(v) = HeaderValue::from_str(t)
    {
        req.headers_mut().insert(X_TENANT, v);
    }
    Ok(())
}

/// Send `req`, traced (its body, and the answer's status and headers,
/// redacted) when the session has a sink that wants HTTP traffic.
async fn execute(
    client: &reqwest::Client,
    url: &str,
    req: reqwest::Request,
    trace: Option<&crate::trace::Sink>,
) -> Result<reqwest::Response> {
    use crate::trace::{self, Event};
    let trace = trace.filter(|s| s.http()).map(|sink| {
        let id = trace::next_id();
        sink.event(&Event::Request(trace::Request::new(
            id,
            req.method().as_str(),
            req.url().as_str(),
            req.headers(),
            req.body().and_then(reqwest::Body::as_bytes),
        )));
        (sink, id, std::time::Instant::now())
    });
    let answer = client.execute(req).await;
    if let Some((sink, id, started)) = trace {
        let elapsed = started.elapsed();
        sink.event(&match &answer {
            Ok(r) => Event::Response(trace::Response::new(
                id,
                r.status().as_u16(),
                elapsed,
                r.headers(),
                &[],
            )),
            Err(e) => Event::Failed {
                id,
                elapsed,
                cause: trace::printable(&crate::http::error_from(url, e).cause),
            },
        });
    }
    answer.map_err(|e| crate::http::error_from(url, &e).into())
}
