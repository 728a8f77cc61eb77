/** The rules of message-service: entities, use-case services and store interfaces; no Quarkus, JAX-RS or Mongo types. */
package org.e2echat.message.domain;
