/**
 * Transport security and identities shared by the scheduler, the agent and the CLI.
 *
 * <p>{@code io.tern.security.pki}: a local certificate authority for clusters without one of their
 * own. {@code io.tern.security.tls}: gRPC TLS credentials from PEM files, and who the peer is.
 * {@code io.tern.security.token}: bearer tokens, their format and their hashes.
 */
package io.tern.security;
