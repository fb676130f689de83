// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tracepoints of kvmi.ko (kvmi_trace.h) are defined here, and only
 * here.
 */
#define CREATE_TRACE_POINTS
#include "kvmi_trace.h"
