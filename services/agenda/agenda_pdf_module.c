/* The PDF renderer as a module loaded on first use: cairo, pango, glib,
 * fontconfig and freetype cost a process about 5 MB resident from the
 * moment they are linked, and most agenda processes never draw a PDF (a
 * partnership's notices and minutes are a few a week). The module,
 * samhand-agenda-pdf.so, lies next to the binary (build dir, container
 * image), or where SAMHAND_AGENDA_PDF_MODULE says; its drawing functions
 * use agenda's own (the executable exports them). */
#include "agenda_minutes_pdf.h"
#include "agenda_notice_pdf.h"
#include "samhand_log.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MODULE_NAME "samhand-agenda-pdf.so"

typedef char *(*s_notice_fn)(const agenda_notice_t *, size_t *, const char **);
typedef char *(*s_minutes_fn)(const agenda_minutes_t *, size_t *, const char **);

static struct {
    bool tried;
    void *handle;
    s_notice_fn notice;
    s_minutes_fn minutes;
} s_module;

static void *s_open(const char *path)
{
    return dlopen(path, RTLD_NOW | RTLD_LOCAL);
}

/* The module, loaded once; false when it cannot be (logged once). */
static bool s_load(void)
{
    if (s_module.tried)
        return s_module.notice && s_module.minutes;
    s_module.tried = true;
    const char *named = getenv("SAMHAND_AGENDA_PDF_MODULE");
    char path[PATH_MAX];
    if (named && named[0]) {
        s_module.handle = s_open(named);
    } else {
        /* next to the binary */
        ssize_t n = readlink("/proc/self/exe", path, sizeof path - sizeof MODULE_NAME - 1);
        if (n > 0) {
            path[n] = '\0';
            char *slash = strrchr(path, '/');
            snprintf(slash ? slash + 1 : path, sizeof MODULE_NAME + 1, "%s", MODULE_NAME);
            s_module.handle = s_open(path);
        }
#ifdef SAMHAND_AGENDA_PDF_BUILT
        /* a test program of the build: where the build put it */
        if (!s_module.handle)
            s_module.handle = s_open(SAMHAND_AGENDA_PDF_BUILT);
#endif
    }
    if (s_module.handle) {
        s_module.notice = (s_notice_fn)dlsym(s_module.handle, "agenda_notice_pdf_draw");
        s_module.minutes = (s_minutes_fn)dlsym(s_module.handle, "agenda_minutes_pdf_draw");
    }
    if (!s_module.notice || !s_module.minutes) {
        log_error("could not load the PDF renderer %s: %s", named && named[0] ? named : MODULE_NAME,
                  dlerror());
        /* a file that is not the renderer (a wrong path, an old build):
         * none of it is called, now or later */
        if (s_module.handle)
            dlclose(s_module.handle);
        s_module.handle = NULL;
        s_module.notice = NULL;
        s_module.minutes = NULL;
        return false;
    }
    return true;
}

char *agenda_notice_pdf(const agenda_notice_t *notice, size_t *len, const char **error)
{
    if (!s_load()) {
        *error = "the PDF renderer (" MODULE_NAME ") could not be loaded";
        return NULL;
    }
    return s_module.notice(notice, len, error);
}

char *agenda_minutes_pdf(const agenda_minutes_t *minutes, size_t *len, const char **error)
{
    if (!s_load()) {
        *error = "the PDF renderer (" MODULE_NAME ") could not be loaded";
        return NULL;
    }
    return s_module.minutes(minutes, len, error);
}
