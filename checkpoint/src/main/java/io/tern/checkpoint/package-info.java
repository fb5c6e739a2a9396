/**
 * The checkpoint store: shared filesystem and S3-compatible implementations, manifests with
 * SHA-256, atomic publish, retention and verification on restore. See DESIGN.md, "Checkpoint
 * protocol".
 */
package io.tern.checkpoint;
