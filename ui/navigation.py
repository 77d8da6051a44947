"""The app's pages, in one table: `app.py` builds `st.navigation` from it, and `ui.serve`
tells the browser which trailing path segments are page names (`ui/static_shell.py`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageEntry:
    script: str
    title: str
    icon: str
    url_path: str
    section: str  # "Learn" for everybody; "Instructor" only where instructor mode is on
    default: bool = False


PAGES = (
    PageEntry("pages/home.py", "Course", ":material/school:", "home", "Learn", default=True),
    PageEntry("pages/lesson.py", "Lesson", ":material/menu_book:", "lesson", "Learn"),
    PageEntry("pages/lab.py", "Live lab", ":material/science:", "lab", "Learn"),
    PageEntry("pages/session.py", "Live session", ":material/groups:", "session", "Learn"),
    PageEntry("pages/progress.py", "My progress", ":material/insights:", "progress", "Learn"),
    PageEntry(
        "pages/presenter.py", "Presenter", ":material/co_present:", "presenter", "Instructor"
    ),
    PageEntry(
        "pages/instructor.py", "Scores & export", ":material/download:", "instructor", "Instructor"
    ),
)


def url_paths() -> list[str]:
    return [page.url_path for page in PAGES]
