/**
 * The sks.operator.dev/v1alpha1 API: plain data holders that Jackson (de)serializes and from which
 * the CRD generator derives the OpenAPI schemas in {@code crds/}. Fields are public on purpose: these
 * classes carry no behaviour, and getters/setters would only double their size.
 */
package dev.operator.sks.api;
