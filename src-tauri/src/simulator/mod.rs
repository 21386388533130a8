//! A loopback stand-in for Aeropay's sandbox API and the Aerosync widget.
