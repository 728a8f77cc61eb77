/** Kafka publishers and consumers of user-service, mapping to and from the records in contracts. */
package org.e2echat.user.events;
