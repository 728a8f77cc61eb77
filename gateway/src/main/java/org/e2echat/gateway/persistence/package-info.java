/** Mongo documents and the reactive Panache repositories implementing the domain's stores. */
package org.e2echat.gateway.persistence;
