"""Impact stories: adding one, with an optional photo."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.outcomes import bp
from fundtracker.blueprints.outcomes.common import _load_project
from fundtracker.blueprints.outcomes.forms import StoryForm
from fundtracker.core.extensions import db
from fundtracker.core.storage import file_storage
from fundtracker.services import files, outcomes
from fundtracker.web import attempt, requires


@bp.route("/projects/<int:project_id>/stories/new", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def story_new(project_id: int):
    project = _load_project(project_id)
    if not permissions.can_add_story(current_user, project):
        abort(403)
    form = StoryForm()
    if form.validate_on_submit():
        upload = form.photo.data
        stored = []
        with attempt(form) as outcome:
            try:
                story = outcomes.add_story(
                    db.session,
                    file_storage(),
                    current_user,
                    project,
                    outcomes.StoryData(form.title.data, form.body.data, bool(form.consent.data)),
                    upload.stream if upload and upload.filename else None,
                    upload.filename if upload and upload.filename else "",
                )
                if story.photo is not None:
                    stored.append(story.photo.storage_key)
            except files.UploadRejected as error:
                error.field = "photo"
                raise
        if outcome.ok:
            flash(_("The story has been added."), "success")
            return redirect(url_for(".project", project_id=project.id) + "#stories")
        files.discard(file_storage(), stored)
    return render_template(
        "outcomes/form.html",
        form=form,
        title=_("New story: %(code)s", code=project.code),
        back=url_for(".project", project_id=project.id),
    ), 422 if request.method == "POST" else 200
