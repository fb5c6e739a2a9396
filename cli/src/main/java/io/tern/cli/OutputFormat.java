package io.tern.cli;

/** How a verb prints its result: for people ({@code table}) or for scripts ({@code json}). */
public enum OutputFormat {
  /** Human-readable text: aligned tables, or YAML for documents. */
  table,
  /** One JSON document on stdout. */
  json,
  /** YAML, for documents a user may edit and submit again. */
  yaml
}
