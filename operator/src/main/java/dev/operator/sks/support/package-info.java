/**
 * The bottom of the house: small helpers every other package may use (digests, Secret data). It imports nothing of
 * the operator's.
 */
package dev.operator.sks.support;
