package dev.operator.sks.api;

/** Regular expressions shared by the schema annotations and the operator's own validation. */
public final class Patterns {
  /** RFC 1123 label: what Kubernetes accepts as a Service or namespace name. */
  public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
  /** RFC 1123 subdomain: what Kubernetes accepts as a Secret or ConfigMap name. */
  public static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
  /** A qualified label key: an optional DNS-subdomain prefix and a name of at most 63 characters. */
  public static final String LABEL_KEY =
      "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";
  /** The same expression with backslashes doubled, for use inside a single-quoted CEL string literal. */
  static final String LABEL_KEY_CEL =
      "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";

  private Patterns() {}
}
