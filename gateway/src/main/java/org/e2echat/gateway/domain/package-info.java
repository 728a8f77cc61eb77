/** The rules of gateway: entities, use-case services and store interfaces; no Quarkus, JAX-RS or Mongo types. */
package org.e2echat.gateway.domain;
