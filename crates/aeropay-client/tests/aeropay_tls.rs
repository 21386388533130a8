//! TLS to an https API: the app's client (with the crypto provider the app
//! installs) trusts what the system trusts and nothing else. An https front
//! on 127.0.0.1 with a certificate from a throwaway authority is refused;
//! once that authority is among the system's roots (`SSL_CERT_FILE`, which
//! the system store honours in place of the distribution's bundle), the same
//! server is accepted. Alone in its test binary: it sets process-wide
//! variables.

mod aeropay_support;

use aeropay_client::{ApiVersion, ClientConfig};
use aeropay_support::*;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;
use wiremock::MockServer;

const V2: ApiVersion = ApiVersion::V2;

/// A certificate authority (PEM) and a server config for 127.0.0.1 signed
/// by it.
fn authority_and_server() -> (String, rustls::ServerConfig) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Aeropay Onboarding test authority");
    let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
    let issuer = Issuer::new(ca, ca_key);

    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&server_key, &issuer)
        .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![server.der().clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(server_key.serialize_der().into()),
    )
    .unwrap();
    (ca_pem, config)
}

/// Terminates TLS on 127.0.0.1 and passes the bytes on to `backend`.
async fn https_front(config: rustls::ServerConfig, backend: SocketAddr) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A refused handshake ends here; the client reports it.
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                if let Ok(mut plain) = TcpStream::connect(backend).await {
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                }
            });
        }
    });
    port
}

#[tokio::test]
async fn https_is_checked_against_the_systems_roots() {
    std::env::remove_var("SSL_CERT_FILE");
    std::env::remove_var("SSL_CERT_DIR");
    let api = MockServer::start().await;
    mount_token(&api, V2).await;
    let (ca_pem, server_config) = authority_and_server();
    let port = https_front(server_config, *api.address()).await;
    let base = format!("https://127.0.0.1:{port}");

    // The system does not know the authority.
    let config = ClientConfig::with_base_url(base.parse().unwrap(), V2);
    let error = client_with(config).merchant_token().await.unwrap_err();
    assert_eq!(error.code(), "NETWORK_TLS", "{error:?}");
    assert!(format!("{error:?}").contains("UnknownIssuer"), "{error:?}");
    assert!(requests_to(&api, "/v2/token").await.is_empty());

    // The same server once the system trusts its authority.
    let roots = tempfile::tempdir().unwrap();
    let bundle = roots.path().join("ca-certificates.crt");
    std::fs::write(&bundle, ca_pem).unwrap();
    std::env::set_var("SSL_CERT_FILE", &bundle);
    let config = ClientConfig::with_base_url(base.parse().unwrap(), V2);
    let token = client_with(config)
        .merchant_token()
        .await
        .expect("a token over TLS");
    assert_eq!(token.token.expose(), "merchant-token-1");
    assert_eq!(requests_to(&api, "/v2/token").await.len(), 1);
}
