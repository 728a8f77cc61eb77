/** Kafka publishers and consumers of gateway, mapping to and from the records in contracts. */
package org.e2echat.gateway.events;
