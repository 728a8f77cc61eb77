/** The rules of session-service: entities, use-case services and store interfaces; no Quarkus, JAX-RS or Mongo types. */
package org.e2echat.session.domain;
