/** Kubernetes Events: the one recorder every reconciler tells its transitions and refusals to. */
package dev.operator.sks.events;
