/**
 * Certificates and keys for hosted control planes: CAs, leaf certificates, the service-account
 * key pair, their PEM form (as stored in Secrets) and when to renew them.
 *
 * <p>Pure code: no Kubernetes client and no logging. RSA keys are generated and used through the
 * JDK's own JCA providers; P-256 keys are generated, sign and are checked through BouncyCastle's
 * lightweight API ({@code P256}, for speed), and are the JDK's key objects all the same.
 * BouncyCastle otherwise builds and parses ASN.1 / PEM structures.
 * The BouncyCastle JCE provider is deliberately never registered or required: the operator ships
 * as a shaded jar in which BouncyCastle's jar signature is stripped, and an unsigned JCE provider
 * is refused by some JDKs.
 *
 * <p>Nothing in this package puts private key material in an exception message or a
 * {@code toString()}: these objects end up in logs, events and status conditions.
 */
package dev.operator.sks.pki;
